-- 0002: what the mini master keeps beyond the foundation schema.

-- title is the instance title (partition_reference): the name of the
-- release's folder, as the old Webrunner requested it. software_release is the URL (the absolute path of software.cfg) of the
-- release the partition was last instantiated from, '' before the first
-- instance build. timestamp is the Unix time of the last effective change
-- of the partition's request (parameters, software type, state), in
-- seconds with a fraction, as slapproxy keeps it; NULL until the first one.
ALTER TABLE partitions ADD COLUMN software_release TEXT NOT NULL DEFAULT '';
ALTER TABLE partitions ADD COLUMN timestamp REAL;
ALTER TABLE partitions ADD COLUMN title TEXT NOT NULL DEFAULT '';
