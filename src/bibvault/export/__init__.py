"""Exports of records: biblatex, BibTeX, CSL-JSON and RIS, each as text."""
