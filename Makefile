# A thin front door over CMake presets (CMakePresets.json). Every target builds what it needs first.
#   make build       release build               make test       release build + every test
#   make asan        Debug + ASan/UBSan build    make test-asan  sanitizer build + every test
#   make demo        builds only the gitmoor binary, then `gitmoor demo` (sandbox cluster, example repository, engine)
#   make bench       release build, then the benchmarks
#   make image       the container image ghcr.io/gitmoor/gitmoor:<version> with buildah (no daemon), then its checks
# Pass ctest arguments with ARGS, e.g. `make test ARGS="-L core"` or `make test ARGS="-R yaml"`.
.PHONY: build asan test test-asan demo bench image clean

build:
	cmake --preset release >/dev/null
	cmake --build --preset release

asan:
	cmake --preset asan >/dev/null
	cmake --build --preset asan

test: build
	scripts/run-tests.sh release $(ARGS)

test-asan: asan
	scripts/run-tests.sh asan $(ARGS)

# The demo needs only the gitmoor binary: building it alone skips the tests and benchmarks (about half of the
# targets). Ninja prints [done/total] progress as it goes.
demo:
	@echo "make demo: building build/release/cli/gitmoor (the first build takes several minutes on 2 cores)"
	cmake --preset release >/dev/null
	cmake --build --preset release --target gitmoor
	build/release/cli/gitmoor demo

bench: build
	cmake --build --preset release --target bench

# docker/build-image.sh: set-up (scripts/setup-image.sh), local debian bases where no registry answers
# (docker/base-images.sh), buildah build of docker/Dockerfile, the image size, then docker/check-image.sh.
image:
	docker/build-image.sh

clean:
	rm -rf build
