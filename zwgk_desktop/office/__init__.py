"""The use cases: one function per thing a clerk, a township office or an auditor does (import,
review, correct, seal, print, verify, report), on one handle on the archive. The `zwgk` command
parses and prints around them; the desktop app calls the same functions in the background."""
