provider "google" {
  project = "legacy-project"
  region  = "us-central1"
}

resource "google_compute_network" "default" {
  name = "legacy"
}

resource "google_compute_subnetwork" "legacy" {
  name          = "legacy-subnet"
  network       = google_compute_network.default.id
  ip_cidr_range = "10.0.0.0/16"
  region        = "us-central1"
}

resource "google_compute_firewall" "ssh" {
  name          = "allow-ssh"
  network       = google_compute_network.default.name
  source_ranges = ["0.0.0.0/0"]

  allow {
    protocol = "tcp"
    ports    = ["22", "3389", "5432"]
  }
}

resource "google_compute_firewall" "everything" {
  name          = "allow-everything"
  network       = google_compute_network.default.name
  source_ranges = ["0.0.0.0/0"]

  allow {
    protocol = "all"
  }
}

resource "google_container_cluster" "legacy" {
  name               = "legacy-gke"
  location           = "us-central1-a"
  initial_node_count = 3
  enable_legacy_abac = true
  logging_service    = "none"
  monitoring_service = "none"

  master_auth {
    client_certificate_config {
      issue_client_certificate = true
    }
  }

  node_config {
    machine_type = "e2-medium"
    oauth_scopes = ["https://www.googleapis.com/auth/cloud-platform"]
    metadata = {
      disable-legacy-endpoints = "false"
    }
  }
}

resource "google_storage_bucket" "public" {
  name          = "legacy-public-assets"
  location      = "US"
  force_destroy = true
}

resource "google_storage_bucket_iam_member" "public" {
  bucket = google_storage_bucket.public.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

resource "google_sql_database_instance" "legacy" {
  name             = "legacy-mysql"
  database_version = "MYSQL_8_0"
  region           = "us-central1"

  settings {
    tier = "db-f1-micro"

    ip_configuration {
      ipv4_enabled = true
      authorized_networks {
        name  = "anywhere"
        value = "0.0.0.0/0"
      }
    }

    backup_configuration {
      enabled = false
    }

    database_flags {
      name  = "local_infile"
      value = "on"
    }
  }
}

resource "google_compute_instance" "bastion" {
  name         = "bastion"
  machine_type = "e2-small"
  zone         = "us-central1-a"
  can_ip_forward = true

  boot_disk {
    initialize_params {
      image = "debian-cloud/debian-12"
    }
  }

  network_interface {
    network = google_compute_network.default.name
    access_config {}
  }

  metadata = {
    serial-port-enable = "true"
    enable-oslogin     = "false"
  }

  service_account {
    scopes = ["cloud-platform"]
  }
}

resource "google_project_iam_member" "dev_owner" {
  project = "legacy-project"
  role    = "roles/owner"
  member  = "user:dev@example.com"
}

resource "google_kms_crypto_key" "no_rotation" {
  name     = "legacy"
  key_ring = "projects/legacy-project/locations/global/keyRings/legacy"
}
