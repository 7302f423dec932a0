-- One database per service that owns data (ARCHITECTURE.md); each service migrates its own with Flyway.
CREATE DATABASE orders;
CREATE DATABASE notifications;
