"""Bundled data: the seeded synthetic demo population (``demo``) and the demo personas
(``personas``). Nothing here is real applicant data; the public data sets are read from outside
the package and never shipped."""
