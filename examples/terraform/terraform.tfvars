project     = "citywatch-demo"
environment = "staging"
# deliberately insecure: SSH/RDP open to the internet
admin_cidrs = ["0.0.0.0/0"]
db_password = "changeme-please"
