using System.Net;
using System.Text.Json.Nodes;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.EndToEndTests.Subscriptions;

namespace MasStack.EndToEndTests.Migrations;

/// <summary>
/// A failed migration keeps its line and accounts until every participant that may have acted has confirmed its undo: a
/// second migration meanwhile is refused, and the deadline is the safety net for an undo that is never confirmed.
/// </summary>
public partial class MigrationTests
{
    [Fact]
    public async Task A_failed_migration_holds_its_line_until_every_participant_confirmed_its_undo()
    {
        // Given a user's line in one account and another account to move it to
        var (a, b, _) = await SalesAsync(Sales.NewDni());
        var line = a.Lines[1].SubscriptionId;
        await ActivateAsync(line);

        // When a move to a new account fails at Billing's step
        var failed = await FailedAsync(line, new { newAccount = NewPostpaidAccount }, "billing");
        Assert.Contains("The billing step failed", (string)failed["reason"]!);

        // Then Account waits for the undo of each participant that may have acted (Subscription's and Billing's), each confirmed,
        // none given up on, and only then is the line free: it migrates again
        var undone = await UndoEndedAsync((long)failed["migrationId"]!);
        Assert.Equal(new Dictionary<string, string> { ["billing"] = "undone", ["subscription"] = "undone" },
            undone["undo"]!.AsObject().ToDictionary(s => s.Key, s => (string)s.Value!));
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/accounts/{a.AccountId}"),
            account => account["subscriptions"]!.AsArray().Any(s => (long)s!["subscriptionId"]! == line), "Account to see the line back");
        await CompletedAsync(line, new { targetAccountId = b.AccountId });
    }

    [Fact]
    public async Task While_an_undo_is_unconfirmed_the_line_cannot_migrate_until_the_deadline_gives_up_on_it()
    {
        // Given a user's line
        var (a, b, _) = await SalesAsync(Sales.NewDni());
        var line = a.Lines[1].SubscriptionId;
        await ActivateAsync(line);

        // When a move to a new account fails at Billing's step, and Subscription undoes its part but its answer is lost
        var failed = await FailedAsync(line, new { newAccount = NewPostpaidAccount }, "billing,subscription:undo-silent");
        var migrationId = (long)failed["migrationId"]!;
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/migrations/{migrationId}"), m => (string?)m["undo"]?["billing"] == "undone",
            "Billing to confirm its undo");
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/subscriptions/{line}"), l => (long)l["accountId"]! == a.AccountId,
            "the line to be back in its account");
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/accounts/{a.AccountId}"),
            acc => acc["subscriptions"]!.AsArray().Any(s => (long)s!["subscriptionId"]! == line), "Account's copy of the line to be back in its account too");

        // Then the undo is shown pending, and a second migration of the line is refused while it is
        var waiting = await _gateway.GetJsonAsync($"/api/v1/migrations/{migrationId}");
        Assert.Equal("pending", (string)waiting["undo"]!["subscription"]!);
        Assert.Contains($"line {line}", await DetailAsync(await StartAsync(line, new { targetAccountId = b.AccountId }), HttpStatusCode.Conflict));

        // And at the undo's deadline Account gives up waiting, says so, and the line migrates again
        var given = await UndoEndedAsync(migrationId);
        Assert.Equal(("timed-out", "undone"), ((string)given["undo"]!["subscription"]!, (string)given["undo"]!["billing"]!));
        await Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/accounts/{a.AccountId}"),
            account => account["subscriptions"]!.AsArray().Any(s => (long)s!["subscriptionId"]! == line), "Account to see the line back");
        await CompletedAsync(line, new { targetAccountId = b.AccountId });
    }

    private static readonly object NewPostpaidAccount = new { paymentType = "postpaid", bundleCode = "MOBILE-POSTPAID", iban = "ES7921000813610123456789" };

    /// <summary>The failed migration once no participant's undo is awaited any more (confirmed, or given up on at its deadline).</summary>
    private Task<JsonObject> UndoEndedAsync(long migrationId) =>
        Eventually.Until(() => _gateway.GetJsonAsync($"/api/v1/migrations/{migrationId}"),
            m => m["undo"] is JsonObject undo && undo.All(s => (string)s.Value! != "pending"),
            $"migration {migrationId}'s undo to end", SuiteFixture.MigrationTimeout + TimeSpan.FromSeconds(30));
}
