using MasStack.Platform.Messaging;

namespace MasStack.UnitTests.Platform;

public class OutboxSignalTests
{
    private static OutboxMessage Row(long id) => new(id, Guid.CreateVersion7(), "Event", "{}", "{}", 0);

    [Fact]
    public async Task Committed_rows_wake_the_relay_and_are_taken_in_commit_order_a_window_at_a_time()
    {
        var signal = new OutboxSignal();
        signal.Committed([Row(1), Row(2), Row(3)]);

        Assert.True(await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None));
        Assert.Equal([1L, 2L], signal.TakeCommitted(2).Select(r => r.Id));
        Assert.Equal([3L], signal.TakeCommitted(2).Select(r => r.Id));
        Assert.Empty(signal.TakeCommitted(2));
    }

    [Fact]
    public void Beyond_the_cap_rows_are_left_to_their_lease_and_the_poll()
    {
        var signal = new OutboxSignal();
        signal.Committed(Enumerable.Range(1, OutboxSignal.MaxWaiting + 5).Select(i => Row(i)));

        var taken = signal.TakeCommitted(int.MaxValue);
        Assert.Equal(OutboxSignal.MaxWaiting, taken.Count);
        Assert.Equal(1, taken[0].Id);
    }
}
