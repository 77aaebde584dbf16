"""`python -m provenance.cli`."""

from provenance.cli import main

main()
