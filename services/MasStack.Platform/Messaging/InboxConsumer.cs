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
/// </summary>
public abstract class InboxConsumer<T>(UnitOfWork unitOfWork) : IConsumer<T> where T : class
{
    public async Task Consume(ConsumeContext<T> context)
    {
        var messageId = context.MessageId ?? throw new InvalidOperationException("A message without a MessageId cannot be consumed idempotently.");
        if (context.Headers.Get<string>(Correlation.Header) is { } correlator) Activity.Current?.SetBaggage(Correlation.Header, correlator);

        await PrepareAsync(context.Message, context.CancellationToken);
        var first = await unitOfWork.QuerySingleOrDefaultAsync<int>(
            """
            INSERT INTO inbox_messages (consumer, message_id) VALUES (@Consumer, @MessageId)
            ON CONFLICT (consumer, message_id) DO UPDATE SET deliveries = inbox_messages.deliveries + 1
            RETURNING deliveries
            """,
            new { Consumer = ServiceConsumers.NameOf(GetType()), MessageId = messageId }) == 1;
        if (first) await Handle(context.Message, unitOfWork, context.CancellationToken);
        await unitOfWork.CommitAsync(context.CancellationToken);
    }

    /// <summary>
    /// What the handler needs from other services (the catalogue, say), read before the transaction opens: no transaction
    /// stays open across a network call. Runs on every delivery, a repeated one too, so it must only read.
    /// </summary>
    protected virtual Task PrepareAsync(T message, CancellationToken cancellationToken) => Task.CompletedTask;

    protected abstract Task Handle(T message, UnitOfWork unitOfWork, CancellationToken cancellationToken);
}
