# Developer shortcuts. The README's commands are the supported way to install and test; these only save typing.
.PHONY: test fuzz fuzz-atheris docs

test:
	python -m pytest

# The property tests with a large example budget (tests/test_properties.py registers the "fuzz" profile).
fuzz:
	HYPOTHESIS_PROFILE=fuzz python -m pytest -q tests/test_properties.py

# Coverage-guided fuzzing of decoding and the extractors (needs: pip install atheris).
fuzz-atheris:
	python fuzz/fuzz_extractors.py -max_total_time=600

docs:
	mkdocs build --strict
