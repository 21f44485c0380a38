"""What the service keeps, and for how long: rows past their use are pruned in batches."""
