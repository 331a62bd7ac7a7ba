"""Version 3's projection, frozen (month_step, projection, timeline as they were before version 4): the baseline of
bench/company.py, as tests/v2_projection.py is version 2's."""
