-- A migration that changes the line's payment type maps its product to one the target bundle offers: the product it had
-- and the one it took, so that undoing the migration puts the product back too (null when the product was kept).
ALTER TABLE line_migrations ADD COLUMN from_product_code text;
ALTER TABLE line_migrations ADD COLUMN to_product_code text;
