using Routing.Sip.Transactions;
using static Routing.Sip.Tests.Transactions.Steps;

namespace Routing.Sip.Tests.Transactions;

public class TransactionTableScaleTests
{
    [Fact]
    public void Table_HundredThousandLiveTransactions_AllExpireOnTimeAndTableEmpties()
    {
        const int n = 100_000;
        var h = new TableHarness();
        var request = new FakeMessage("OPTIONS");
        var ok = new FakeMessage("200", 200);
        for (var i = 0; i < n; i++)
        {
            var info = Requests.Info("OPTIONS", branch: $"z9hG4bK-{i}", callId: $"c{i}", fromTag: $"f{i}");
            var tx = h.Table.ReceiveRequest(info, request, reliable: false).Transaction!;
            h.Table.SendResponse(tx, 200, ok);
            if (i == n / 2)
            {
                // The second half arrives and is answered 10 s after the first.
                h.Time.Advance(S(10));
                h.Table.Advance();
            }
        }

        Assert.Equal(n, h.Table.LiveCount);
        Assert.Equal(n, h.Table.TimerCount);

        h.Time.Advance(TimeSpan.FromMilliseconds(21_990));
        h.Table.Advance();
        Assert.Empty(h.Output.OfKind(OutputEventKind.Terminated));

        h.Time.Advance(TimeSpan.FromMilliseconds(10));
        h.Table.Advance();
        Assert.Equal((n / 2) + 1, h.Output.OfKind(OutputEventKind.Terminated).Count);

        h.Time.Advance(S(10));
        h.Table.Advance();
        Assert.Equal(n, h.Output.OfKind(OutputEventKind.Terminated).Count);
        Assert.Equal(0, h.Table.LiveCount);
        Assert.Equal(0, h.Table.TimerCount);
        Assert.Equal(n, h.Table.Counters.Terminated(TransactionKind.NonInviteServer));
    }
}
