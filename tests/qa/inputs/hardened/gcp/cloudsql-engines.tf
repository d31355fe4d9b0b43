# Cloud SQL for MySQL, PostgreSQL and SQL Server as teams write the flags (ON, 1, true).
resource "google_sql_database_instance" "mysql" {
  name             = "mysql-prod"
  database_version = "MYSQL_8_0_36"
  region           = "europe-west1"
  settings {
    tier = "db-custom-2-7680"
    ip_configuration {
      ipv4_enabled    = false
      private_network = "projects/p/global/networks/vpc"
      ssl_mode        = "ENCRYPTED_ONLY"
    }
    backup_configuration {
      enabled            = true
      binary_log_enabled = true
    }
    database_flags {
      name  = "local_infile"
      value = "OFF"
    }
    database_flags {
      name  = "skip_show_database"
      value = "On"
    }
  }
}

resource "google_sql_database_instance" "pg" {
  name             = "pg-prod"
  database_version = "POSTGRES_16"
  region           = "europe-west1"
  settings {
    tier    = "db-custom-2-7680"
    edition = "ENTERPRISE"
    ip_configuration {
      ipv4_enabled    = false
      private_network = "projects/p/global/networks/vpc"
      require_ssl     = true
    }
    backup_configuration {
      enabled                        = true
      point_in_time_recovery_enabled = true
    }
    database_flags {
      name  = "log_connections"
      value = "ON"
    }
    database_flags {
      name  = "log_disconnections"
      value = "1"
    }
    database_flags {
      name  = "cloudsql.enable_pgaudit"
      value = "true"
    }
    database_flags {
      name  = "log_statement"
      value = "ddl"
    }
  }
}

resource "google_sql_database_instance" "mssql" {
  name             = "mssql-prod"
  database_version = "SQLSERVER_2022_STANDARD"
  region           = "europe-west1"
  root_password    = var.root_password
  settings {
    tier = "db-custom-2-7680"
    ip_configuration {
      ipv4_enabled    = false
      private_network = "projects/p/global/networks/vpc"
      ssl_mode        = "ENCRYPTED_ONLY"
    }
    backup_configuration {
      enabled                        = true
      point_in_time_recovery_enabled = true
    }
    database_flags {
      name  = "contained database authentication"
      value = "off"
    }
    database_flags {
      name  = "cross db ownership chaining"
      value = "off"
    }
    database_flags {
      name  = "external scripts enabled"
      value = "off"
    }
    database_flags {
      name  = "remote access"
      value = "off"
    }
    database_flags {
      name  = "3625"
      value = "on"
    }
  }
}

variable "root_password" {
  type      = string
  sensitive = true
}
