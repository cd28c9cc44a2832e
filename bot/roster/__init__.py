"""The roster: reading a spreadsheet of members (parse) and writing it to the store (importer)."""
