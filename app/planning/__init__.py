"""Wave planning: waves, their assignment board and progress."""
