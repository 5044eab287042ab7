"""bibvault: keep curated BibTeX reading lists valid, archived and cited.

The package is a library first; the ``bibvault`` command is a thin layer over it.
Pipeline stages live in their own modules: :mod:`bibvault.bibfile` (lossless
read/edit/write), :mod:`bibvault.records` (typed view), :mod:`bibvault.validate`
(rules), :mod:`bibvault.links` and :mod:`bibvault.archive` (sources),
:mod:`bibvault.csl` (citation engine), :mod:`bibvault.site` (reading lists)
and :mod:`bibvault.export`.
"""

__version__ = "0.1.0"
