# Deliberately insecure Google Cloud configuration: a scanner demo, never deploy this.

resource "google_storage_bucket" "exports" {
  name                        = "citywatch-demo-exports"
  location                    = "EU"
  uniform_bucket_level_access = false
}

resource "google_storage_bucket_iam_member" "public_read" {
  bucket = google_storage_bucket.exports.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

resource "google_compute_firewall" "open" {
  name          = "allow-everything"
  network       = "default"
  source_ranges = ["0.0.0.0/0"]

  allow {
    protocol = "tcp"
    ports    = ["22", "3389", "5432"]
  }
}

resource "google_compute_instance" "web" {
  name           = "web"
  machine_type   = "e2-medium"
  zone           = "europe-west1-b"
  can_ip_forward = true

  boot_disk {
    initialize_params {
      image = "debian-cloud/debian-12"
    }
  }

  network_interface {
    network = "default"
    access_config {}
  }

  metadata = {
    serial-port-enable = "true"
  }

  service_account {
    scopes = ["cloud-platform"]
  }
}

resource "google_sql_database_instance" "db" {
  name             = "citywatch-demo-db"
  database_version = "POSTGRES_15"
  region           = "europe-west1"

  settings {
    tier = "db-custom-2-7680"

    ip_configuration {
      ipv4_enabled = true

      authorized_networks {
        name  = "anywhere"
        value = "0.0.0.0/0"
      }
    }
  }
}

resource "google_container_cluster" "gke" {
  name               = "citywatch-demo"
  location           = "europe-west1"
  initial_node_count = 1
  enable_legacy_abac = true

  master_auth {
    client_certificate_config {
      issue_client_certificate = true
    }
  }
}

resource "google_project_iam_member" "owner" {
  project = "citywatch-demo"
  role    = "roles/owner"
  member  = "user:contractor@example.com"
}

resource "google_kms_crypto_key" "data" {
  name     = "data"
  key_ring = "projects/citywatch-demo/locations/europe-west1/keyRings/demo"
}

resource "google_cloudfunctions_function" "hook" {
  name                  = "hook"
  runtime               = "python312"
  entry_point           = "handler"
  trigger_http          = true
  source_archive_bucket = google_storage_bucket.exports.name
  source_archive_object = "hook.zip"

  environment_variables = {
    WEBHOOK_SECRET = "demo-not-a-real-secret"
  }
}

resource "google_cloudfunctions_function_iam_member" "anyone" {
  cloud_function = google_cloudfunctions_function.hook.name
  role           = "roles/cloudfunctions.invoker"
  member         = "allUsers"
}
