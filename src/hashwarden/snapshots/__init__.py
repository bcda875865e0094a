"""Index snapshots on disk, mapped and shared by the worker processes of a host."""
