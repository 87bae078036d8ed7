"""HTTP plumbing: problem responses, middleware, pagination and dependency aliases."""
