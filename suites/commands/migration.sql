-- A migration as a deployment would run it, checked and then rolled back, so the command can run
-- any number of times against the same database (psql -v ON_ERROR_STOP=1 makes any error fatal).
BEGIN;

CREATE SCHEMA shop_migration;

CREATE TABLE shop_migration.products (
  id bigserial PRIMARY KEY,
  sku text NOT NULL UNIQUE,
  price_cents integer NOT NULL CHECK (price_cents >= 0)
);

CREATE INDEX products_price_idx ON shop_migration.products (price_cents);

INSERT INTO shop_migration.products (sku, price_cents)
VALUES ('mug', 850), ('poster', 1200), ('sticker', 150);

-- Fails the migration (and the command) unless the data landed as expected.
DO $$
BEGIN
  IF (SELECT count(*) FROM shop_migration.products WHERE price_cents > 500) <> 2 THEN
    RAISE EXCEPTION 'migration check failed: expected 2 products above 5.00';
  END IF;
END
$$;

ROLLBACK;
