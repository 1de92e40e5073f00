using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Messaging;
using MasStack.Subscription.Features.Lines;

namespace MasStack.Subscription.Features.LineAddition;

/// <summary>One more line sold into an existing account: created as the lines of a sale are, and confirmed to the saga.</summary>
[ConsumerName("line-added-to-bundle")]
public sealed class LineAddedToBundleConsumer(UnitOfWork db) : InboxConsumer<LineAddedToBundle>(db)
{
    protected override Task Handle(LineAddedToBundle added, UnitOfWork db, CancellationToken ct) =>
        SignupSubmittedConsumer.CreateLinesAsync(db, added.SignupId, added.AccountId, added.UserId, [added.Line], added.SubmittedAt);
}
