using Dapper;
using MasStack.ServiceDefaults;

namespace MasStack.EndToEndTests.Infrastructure;

/// <summary>Waiting for the proof that a failed sale has been undone, rather than for its status alone.</summary>
public static class Compensations
{
    private static readonly string[] Undoers = [ResourceNames.Customer, ResourceNames.Account, ResourceNames.Subscription, ResourceNames.Barring];

    /// <summary>
    /// Waits until every compensation request Signup published for <paramref name="signupId"/> has been applied by
    /// Customer, Account, Subscription and Barring (a row in each one's inbox): after that, what the compensation does is done.
    /// </summary>
    public static async Task WaitForCompensationAsync(this SuiteFixture suite, long signupId)
    {
        await using var signupDb = await suite.OpenDatabaseAsync(ResourceNames.Signup);
        var requests = (await Eventually.Until(
            () => signupDb.QueryAsync<Guid>(
                """
                SELECT message_id FROM outbox_messages
                WHERE message_type LIKE '%SignupCompensationRequested' AND (body->>'signupId')::bigint = @signupId
                """, new { signupId }),
            ids => ids.Any(), $"signup {signupId} to request its compensation")).ToArray();
        foreach (var service in Undoers)
        {
            await using var db = await suite.OpenDatabaseAsync(service);
            await Eventually.Until(
                () => db.ExecuteScalarAsync<long>("SELECT count(DISTINCT message_id) FROM inbox_messages WHERE message_id = ANY(@requests)", new { requests }),
                applied => applied == requests.Length, $"{service} to apply the compensation of signup {signupId}");
        }
    }
}
