"""Operations on a whole install: backup, restore, and copying a database to another one."""
