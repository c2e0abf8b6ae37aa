"""The worker: runs one chunk of a job, item by item, through the pipeline stages."""
