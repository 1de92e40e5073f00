using System.Globalization;
using Dapper;
using MasStack.Billing.Features.Invoicing;
using MasStack.Contracts;
using MasStack.Platform.Calendar;
using MasStack.Platform.Catalogue;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MasStack.Billing.Features.Invoices;

public sealed record InvoiceLineView(string Kind, long? SubscriptionId, string? Code, string Description, DateOnly? From, DateOnly? To, int? Days, Money Amount);

public sealed record TaxView(string Name, decimal Rate, Money Base, Money Amount);

/// <summary>An invoice: <c>issued</c> with its number, or the <c>draft</c> of the open period (current charges), not numbered.</summary>
public sealed record InvoiceView(
    long? InvoiceId, long AccountId, string? Number, string Period, string Status, DateOnly? IssuedOn, IReadOnlyList<InvoiceLineView> Lines,
    TaxView Tax, Money Total);

public sealed record InvoiceSummary(long InvoiceId, string Number, string Period, DateOnly IssuedOn, Money Taxable, Money Tax, Money Total);

public static class InvoiceApi
{
    public static IEndpointRouteBuilder MapInvoiceApi(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/api/v1/accounts/{accountId:long}").WithTags("Invoices");
        account.MapGet("/invoices", List);
        account.MapGet("/current-charges", CurrentCharges);
        app.MapGroup("/api/v1/invoices").WithTags("Invoices").MapGet("/{invoiceId:long}", Get);
        return app;
    }

    /// <summary>The account's invoices issued from <c>from</c> to <c>to</c> (dates, inclusive), newest first, paged.</summary>
    private static async Task<Results<Ok<List<InvoiceSummary>>, NotFound, ValidationProblem>> List(
        long accountId, string? from, string? to, [AsParameters] PageRequest page, NpgsqlDataSource database, HttpContext http)
    {
        var errors = new ValidationErrors();
        var fromDate = DateRange.ReadDate(from, "from", errors);
        var toDate = DateRange.ReadDate(to, "to", errors);
        if (fromDate > toDate) errors.Add("from", "Not after to.");
        page.Validate(errors);
        if (!errors.IsEmpty) return TypedResults.ValidationProblem(errors.ToDictionary());

        await using var connection = await database.OpenSnapshotAsync();
        if (!await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM billing_accounts WHERE account_id = @accountId)", new { accountId }))
            return TypedResults.NotFound();
        const string Where = "account_id = @accountId AND (@fromDate::date IS NULL OR issued_on >= @fromDate::date) AND (@toDate::date IS NULL OR issued_on <= @toDate::date)";
        var args = new { accountId, fromDate, toDate, offset = page.Offset ?? 0, limit = page.Limit ?? PageRequest.DefaultLimit };
        var total = await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM invoices WHERE {Where}", args);
        var rows = (await connection.QueryAsync<SummaryRow>(
            $"""
            SELECT id, number, period, issued_on AS IssuedOn, taxable, tax, total FROM invoices WHERE {Where}
            ORDER BY issued_at DESC, id DESC OFFSET @offset LIMIT @limit
            """, args)).Select(r => new InvoiceSummary(r.Id, r.Number, r.Period, r.IssuedOn, new(r.Taxable), new(r.Tax), new(r.Total))).ToList();
        http.Response.Headers["X-Total-Count"] = total.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers["X-Result-Count"] = rows.Count.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Ok(rows);
    }

    private static async Task<Results<Ok<InvoiceView>, NotFound>> Get(long invoiceId, NpgsqlDataSource database)
    {
        await using var connection = await database.OpenSnapshotAsync();
        var invoice = await connection.QuerySingleOrDefaultAsync<InvoiceRow>(
            """
            SELECT id, account_id AS AccountId, number, period, issued_on AS IssuedOn, tax_name AS TaxName, tax_rate AS TaxRate, taxable, tax, total
            FROM invoices WHERE id = @invoiceId
            """, new { invoiceId });
        if (invoice is null) return TypedResults.NotFound();
        var lines = (await connection.QueryAsync<LineRow>(
            """
            SELECT kind, subscription_id AS SubscriptionId, code, description, from_date AS FromDate, to_date AS ToDate, days, amount
            FROM invoice_lines WHERE invoice_id = @invoiceId ORDER BY position
            """, new { invoiceId })).Select(l => new InvoiceLineView(l.Kind, l.SubscriptionId, l.Code, l.Description, l.FromDate, l.ToDate, l.Days, new(l.Amount))).ToList();
        return TypedResults.Ok(new InvoiceView(invoice.Id, invoice.AccountId, invoice.Number, invoice.Period, "issued", invoice.IssuedOn, lines,
            new TaxView(invoice.TaxName, invoice.TaxRate, new(invoice.Taxable), new(invoice.Tax)), new(invoice.Total)));
    }

    /// <summary>
    /// "Your next bill": the draft invoice of the open period by the business calendar, by the same rules as an issued one —
    /// the fees of the whole month as the lines stand now (a line not ended runs to the month's end), usage charged so far —
    /// neither numbered nor issued.
    /// </summary>
    private static async Task<Results<Ok<InvoiceView>, NotFound>> CurrentCharges(
        long accountId, NpgsqlDataSource database, BusinessCalendar calendar, CatalogueClient catalogue, IOptions<TaxRates> taxes, CancellationToken ct)
    {
        var period = BillingPeriod.Of(BillingDates.Of(calendar.GetUtcNow()));
        AccountFacts? account;
        await using (var connection = await database.OpenConnectionAsync(ct))
            account = (await InvoiceFacts.LoadAsync(connection, [accountId], period)).SingleOrDefault();
        if (account is null) return TypedResults.NotFound();
        var draft = InvoiceRules.Draft(period, account.Lines, Prices.Of(await catalogue.GetAsync(ct)), taxes.Value.For(account.PostalCode), account.Credits);
        return TypedResults.Ok(new InvoiceView(null, accountId, null, period.ToString(), "draft", null,
            [.. draft.Lines.Select(l => new InvoiceLineView(EnumText.Of(l.Kind), l.SubscriptionId, l.Code, l.Description, l.From, l.To, l.Days, new(l.Amount)))],
            new TaxView(draft.Tax.Name, draft.Tax.Rate, new(draft.Taxable), new(draft.TaxAmount)), new(draft.Total)));
    }


    private sealed class SummaryRow
    {
        public long Id { get; init; }
        public string Number { get; init; } = "";
        public string Period { get; init; } = "";
        public DateOnly IssuedOn { get; init; }
        public decimal Taxable { get; init; }
        public decimal Tax { get; init; }
        public decimal Total { get; init; }
    }

    private sealed class InvoiceRow
    {
        public long Id { get; init; }
        public long AccountId { get; init; }
        public string Number { get; init; } = "";
        public string Period { get; init; } = "";
        public DateOnly IssuedOn { get; init; }
        public string TaxName { get; init; } = "";
        public decimal TaxRate { get; init; }
        public decimal Taxable { get; init; }
        public decimal Tax { get; init; }
        public decimal Total { get; init; }
    }

    private sealed class LineRow
    {
        public string Kind { get; init; } = "";
        public long? SubscriptionId { get; init; }
        public string? Code { get; init; }
        public string Description { get; init; } = "";
        public DateOnly? FromDate { get; init; }
        public DateOnly? ToDate { get; init; }
        public int? Days { get; init; }
        public decimal Amount { get; init; }
    }
}
