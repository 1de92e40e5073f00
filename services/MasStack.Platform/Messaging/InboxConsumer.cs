using System.Diagnostics;
using MassTransit;
using MasStack.Platform.Data;
using MasStack.ServiceDefaults;

namespace MasStack.Platform.Messaging;

/// <summary>
/// An idempotent consumer: the message id is recorded in the inbox in the same transaction as the effect,
/// so a redelivered message (after a crash, a lost acknowledgement, or an outbox row relayed twice) has no
/// second effect. MassTransit acknowledges only after <see cref="Consume"/> returns, i.e. after commit; an
/// exception rolls everything back and hands the message to the retries and delayed redeliveries
/// (<see cref="RedeliveryOptions"/>), then the error queue. Inbox rows carry the consumer's
/// <see cref="ConsumerNameAttribute"/> name, which every subclass declares.
/// <para>
/// The inbox row is written with the commit, in its round trip (<see cref="UnitOfWork.RecordInbox"/>), not in one of
/// its own before the handler: nearly every delivery is the first, and a sale consumes some forty messages. A repeated
/// delivery runs the handler too, in a transaction that cannot commit: the row's key refuses it, or the handler fails
/// on what the first delivery did. Either way everything is rolled back, and once the inbox shows the message as
/// consumed, the delivery is counted there and acknowledged. Handlers therefore keep every effect in the transaction
/// (events in the outbox, other actions after commit), which they must anyway.
/// </para>
/// </summary>
public abstract class InboxConsumer<T>(UnitOfWork unitOfWork) : IConsumer<T> where T : class
{
    public async Task Consume(ConsumeContext<T> context)
    {
        var messageId = context.MessageId ?? throw new InvalidOperationException("A message without a MessageId cannot be consumed idempotently.");
        if (context.Headers.Get<string>(Correlation.Header) is { } correlator) Activity.Current?.SetBaggage(Correlation.Header, correlator);

        var consumer = ServiceConsumers.NameOf(GetType());
        if (!Concerns(context.Message) || !await PrepareAsync(context.Message, context.CancellationToken))
        {
            unitOfWork.RecordPassedOver(consumer, messageId);
            return;
        }
        try
        {
            unitOfWork.RecordInbox(consumer, messageId);
            await Handle(context.Message, unitOfWork, context.CancellationToken);
            await unitOfWork.CommitAsync(context.CancellationToken);
        }
        catch (Exception)
        {
            // Consumed before: nothing of this delivery was kept, and it is acknowledged.
            if (!await IsRepeatedAsync(consumer, messageId)) throw;
        }
    }

    /// <summary>
    /// Whether the message had been consumed already, rolling this delivery's transaction back first; if so, the
    /// delivery is counted on its inbox row.
    /// </summary>
    private async Task<bool> IsRepeatedAsync(string consumer, Guid messageId)
    {
        await unitOfWork.DisposeAsync();
        var repeated = await unitOfWork.ExecuteAsync(
            "UPDATE inbox_messages SET deliveries = deliveries + 1 WHERE consumer = @consumer AND message_id = @messageId",
            new { consumer, messageId }) == 1;
        await unitOfWork.CommitAsync();
        return repeated;
    }

    /// <summary>
    /// Whether the message concerns this consumer, decided on its content alone (a status change to a status it does not
    /// act on does not). One that does not is passed over: no transaction, no handler, acknowledged at once, and its inbox
    /// row written a moment later with others (<see cref="PassedOverMessages"/>). Only what the message says may decide,
    /// so that every delivery of it is decided alike.
    /// </summary>
    protected virtual bool Concerns(T message) => true;

    /// <summary>
    /// What the handler needs from other services or the database (the catalogue; the hub's registrations), read before the
    /// transaction opens: no transaction stays open across a network call, and none opens for nothing. False when what it
    /// read leaves the handler nothing to do (no registration wants the event): the message is then passed over, as one
    /// that does not concern the consumer. That decision rests on state that changes, so a repeated delivery is decided
    /// again unless it finds the first one's passed-over row, which is written a moment later: use it only where either
    /// outcome is right. Runs on every delivery, a repeated one too, so it must only read.
    /// </summary>
    protected virtual Task<bool> PrepareAsync(T message, CancellationToken cancellationToken) => Task.FromResult(true);

    protected abstract Task Handle(T message, UnitOfWork unitOfWork, CancellationToken cancellationToken);
}
