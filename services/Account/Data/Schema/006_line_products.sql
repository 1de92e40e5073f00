-- The line copy follows the line's product (a product change, a bundle migration, a migration that changes payment type):
-- the version of the last product this copy applied; a bundle's checks read the products the lines have now.
ALTER TABLE account_subscriptions ADD COLUMN product_version bigint NOT NULL DEFAULT 0;
