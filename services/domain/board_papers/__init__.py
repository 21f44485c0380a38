"""What goes to a board with a draft besides the draft itself (Cafcass appendix 1)."""
