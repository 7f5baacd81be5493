"""The Insights figures: conversation outcomes and misunderstood messages."""
