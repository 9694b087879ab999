"""Pure statistics: arrays and counts in, numbers out. No module here reads or writes a file."""
