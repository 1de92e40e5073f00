using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;

namespace MasStack.Subscription.Features.AgileTv;

/// <summary>Customer owns the Agile TV login; the line keeps the newest version to show it (an older change arriving late is ignored).</summary>
[ConsumerName("agile-tv-email-changed")]
public sealed class AgileTvEmailChangedConsumer(UnitOfWork db) : InboxConsumer<AgileTvEmailChanged>(db)
{
    protected override Task Handle(AgileTvEmailChanged change, UnitOfWork db, CancellationToken ct) =>
        db.ExecuteAsync(
            """
            INSERT INTO agile_tv_logins (subscription_id, email, changed_at, version) VALUES (@SubscriptionId, @Email, @ChangedAt, @Version)
            ON CONFLICT (subscription_id) DO UPDATE SET email = excluded.email, changed_at = excluded.changed_at,
                version = greatest(agile_tv_logins.version, excluded.version)
            WHERE excluded.version > agile_tv_logins.version OR (excluded.version = 0 AND agile_tv_logins.changed_at < excluded.changed_at)
            """,
            new { change.SubscriptionId, change.Email, change.ChangedAt, change.Version });
}
