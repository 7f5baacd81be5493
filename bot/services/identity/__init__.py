"""Who the customer is: accounts, one-time codes, password resets, sealed slots."""
