"""Every write of the identity app: do_<verb>_<noun>(*, acting_user, …), atomic and audited."""
