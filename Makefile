# Shortcuts; each target is one of the scripts, which also work without make.
.PHONY: setup demo test eval bench build
setup:
	./scripts/setup.sh
demo:
	./scripts/demo.sh
test:
	./scripts/test.sh
eval:
	./scripts/eval.sh
build:
	swift build -c release
bench:
	./scripts/bench.sh
