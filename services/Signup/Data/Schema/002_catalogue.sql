-- MasCatalogue: products, bundles, value-added services, bonuses and promotions, one JSON document each,
-- seeded from Features/Catalogue/catalogue.json at first start and owned here from then on.
CREATE TABLE catalogue_items (
    kind       text        NOT NULL,
    code       text        NOT NULL,
    document   jsonb       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, code)
);
