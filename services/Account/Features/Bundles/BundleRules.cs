using MasStack.Contracts;

namespace MasStack.Account.Features.Bundles;

/// <summary>A line an account holds, as the bundle rules see it.</summary>
public sealed record HeldLine(SubscriptionType Type, string ProductCode);

/// <summary>
/// Whether a bundle's composition can hold every line an account has: same payment type, a slot for every type of
/// line with room for all of them, and their products on offer there. A slot the account cannot fill yet (a bundle
/// with TV for an account without it) does not make the bundle incompatible: the move would add that line, and
/// <see cref="LinesToAdd"/> says which. Pure.
/// </summary>
public static class BundleRules
{
    /// <summary>Why <paramref name="bundle"/> cannot hold the lines; empty when it can.</summary>
    public static IReadOnlyList<string> WhyNot(CatalogueBundle bundle, PaymentType paymentType, IReadOnlyList<HeldLine> lines)
    {
        var reasons = new List<string>();
        if (bundle.PaymentType != paymentType)
            reasons.Add($"It is a {Text(bundle.PaymentType)} bundle and the account is {Text(paymentType)}.");

        var misfits = bundle.Misfits(lines.Select(l => l.Type), minimums: false);
        foreach (var group in lines.GroupBy(l => l.Type).OrderBy(g => g.Key))
        {
            var type = Text(group.Key);
            switch (misfits.FirstOrDefault(m => m.Type == group.Key))
            {
                case { Fit: SlotFit.NoSlot } none:
                    reasons.Add($"It has no {type} lines and the account has {none.Lines}.");
                    continue;
                case { Fit: SlotFit.TooMany } tooMany:
                    reasons.Add($"It holds at most {tooMany.Slot!.MaxLines} {type} line(s) and the account has {tooMany.Lines}.");
                    break;
            }
            foreach (var product in group.Select(l => l.ProductCode).Distinct().Where(p => !bundle.Offers(group.Key, p)).Order())
                reasons.Add($"It does not offer product {product} on its {type} lines.");
        }
        return reasons;
    }

    /// <summary>The lines a move to <paramref name="bundle"/> would have to add to fill its slots' minimums.</summary>
    public static IReadOnlyList<string> LinesToAdd(CatalogueBundle bundle, IReadOnlyList<HeldLine> lines) =>
        bundle.Misfits(lines.Select(l => l.Type), minimums: true)
            .Where(m => m.Fit == SlotFit.TooFew)
            .Select(m => $"{m.Slot!.MinLines - m.Lines} {Text(m.Type)} line(s)")
            .ToList();

    private static string Text<T>(T value) where T : struct, Enum => Platform.Data.EnumText.Of(value);
}
