namespace MasStack.Billing.Features.Invoicing;

/// <summary>A move of a line between accounts, on <see cref="MovedOn"/>; <see cref="Version"/> is the line's, which orders the moves.</summary>
public sealed record LineMove(long Version, long FromAccountId, long ToAccountId, DateOnly MovedOn);

/// <summary>Days an account held a line, both included.</summary>
public sealed record HeldDays(DateOnly From, DateOnly To)
{
    public static readonly IReadOnlyList<HeldDays> Always = [new(DateOnly.MinValue, DateOnly.MaxValue)];

    public bool Contains(DateOnly day) => From <= day && day <= To;
}

/// <summary>
/// Which days an account held a line, from the line's moves between accounts. Pure. Before its first move the line was in
/// that move's source; the day of a move is the leaving account's, the target holds the line from the day after (the rule
/// of a product change: the day is billed as it began, so a move and the product it brings take effect together).
/// Contiguous days are one stretch: a move undone the same day leaves the account holding the line as if it never moved.
/// </summary>
public static class LineHoldings
{
    public static IReadOnlyList<HeldDays> Of(long accountId, long currentAccountId, IEnumerable<LineMove> moves)
    {
        var ordered = moves.OrderBy(m => m.Version).ToList();
        if (ordered.Count == 0) return currentAccountId == accountId ? HeldDays.Always : [];
        var held = new List<HeldDays>();
        var (holder, from) = (ordered[0].FromAccountId, DateOnly.MinValue);
        foreach (var move in ordered)
        {
            if (holder == accountId && from <= move.MovedOn) Add(held, from, move.MovedOn);
            (holder, from) = (move.ToAccountId, Later(from, move.MovedOn.AddDays(1)));
        }
        if (holder == accountId) Add(held, from, DateOnly.MaxValue);
        return held;
    }

    private static DateOnly Later(DateOnly a, DateOnly b) => a > b ? a : b;

    private static void Add(List<HeldDays> held, DateOnly from, DateOnly to)
    {
        if (held.Count > 0 && held[^1].To.AddDays(1) >= from) held[^1] = held[^1] with { To = Later(held[^1].To, to) };
        else held.Add(new HeldDays(from, to));
    }
}
