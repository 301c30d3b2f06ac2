"""Spreadsheets in and out: templates, imports that never half-happen, and exports."""
