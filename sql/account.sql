-- Account objects for liftline, modelled on the Snowpipe Streaming lab's setup: a warehouse, a
-- role that owns the database and schema, and a service user that signs in with an RSA key pair.
-- Run these as a role allowed to create warehouses, roles, users and databases (ACCOUNTADMIN, or
-- SYSADMIN plus USERADMIN). Every statement is safe to run again.

CREATE WAREHOUSE IF NOT EXISTS {{WAREHOUSE}}
  WAREHOUSE_SIZE = XSMALL
  AUTO_SUSPEND = 60
  AUTO_RESUME = TRUE
  INITIALLY_SUSPENDED = TRUE;

CREATE ROLE IF NOT EXISTS {{ROLE}};

GRANT USAGE ON WAREHOUSE {{WAREHOUSE}} TO ROLE {{ROLE}};

GRANT OPERATE ON WAREHOUSE {{WAREHOUSE}} TO ROLE {{ROLE}};

CREATE DATABASE IF NOT EXISTS {{DATABASE}};

GRANT OWNERSHIP ON DATABASE {{DATABASE}} TO ROLE {{ROLE}} COPY CURRENT GRANTS;

CREATE SCHEMA IF NOT EXISTS {{DATABASE}}.{{SCHEMA}};

GRANT OWNERSHIP ON SCHEMA {{DATABASE}}.{{SCHEMA}} TO ROLE {{ROLE}} COPY CURRENT GRANTS;

CREATE USER IF NOT EXISTS {{USER}}
  TYPE = SERVICE
  DEFAULT_ROLE = {{ROLE}}
  DEFAULT_WAREHOUSE = {{WAREHOUSE}}
  DEFAULT_NAMESPACE = {{DATABASE}}.{{SCHEMA}};

-- {{RSA_PUBLIC_KEY}} is the base64 body of rsa_key.pub (liftline keygen prints it).
ALTER USER {{USER}} SET RSA_PUBLIC_KEY = '{{RSA_PUBLIC_KEY}}';

GRANT ROLE {{ROLE}} TO USER {{USER}};

-- Everything below is created by, and owned by, the liftline role.
USE ROLE {{ROLE}};

USE WAREHOUSE {{WAREHOUSE}};

USE SCHEMA {{DATABASE}}.{{SCHEMA}};
