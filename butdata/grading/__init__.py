"""Grades: the B.U.T. rules (settings with sources), one student's results, cohorts."""
