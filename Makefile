# Conveniences over scripts/dev.sh (which does all set-up itself; make is optional).
.PHONY: showcase test setup bench clean
showcase: ; bash scripts/dev.sh showcase
test: ; bash scripts/dev.sh test
setup: ; bash scripts/dev.sh setup
bench: ; bash scripts/dev.sh bench
clean: ; bash scripts/dev.sh setup && .venv/bin/nnviz clean
