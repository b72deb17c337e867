using System.Text;
using Routing.Sip.Message;

namespace Routing.Sip.Tests.Message;

/// <summary>Tags and branches (RFC 3261 §19.3: globally unique, cryptographically random, at least 32 random bits).</summary>
public sealed class SipTagTests
{
    [Fact]
    public void Rfc3261_19_3_TagsAcrossManyRefillsOfTheRandomBlock_AreDistinctTokens()
    {
        var seen = new HashSet<string>();
        for (var i = 0; i < 20_000; i++)
        {
            var tag = SipTag.NewTag();
            Assert.Equal(SipTag.Length, tag.Length);
            Assert.All(tag, b => Assert.True(b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'v'));
            Assert.True(seen.Add(Encoding.ASCII.GetString(tag)), "a tag repeated");
        }
    }

    [Fact]
    public void Rfc3261_19_3_EveryCharacterOfTheAlphabetAppearsAtEveryPosition()
    {
        // 80 random bits per tag: each position takes each of the 32 characters (a stuck or reused block would not).
        var positions = new HashSet<byte>[SipTag.Length];
        for (var p = 0; p < positions.Length; p++)
        {
            positions[p] = [];
        }

        for (var i = 0; i < 5_000; i++)
        {
            var tag = SipTag.NewTag();
            for (var p = 0; p < tag.Length; p++)
            {
                positions[p].Add(tag[p]);
            }
        }

        Assert.All(positions, set => Assert.Equal(32, set.Count));
    }

    [Fact]
    public void Rfc3261_8_1_1_7_BranchStartsWithTheMagicCookie_FillLongerThanTheBlockWorks()
    {
        var branch = SipTag.NewBranch();
        Assert.StartsWith("z9hG4bK", Encoding.ASCII.GetString(branch));
        Assert.Equal(7 + SipTag.Length, branch.Length);

        var long1 = new byte[2048];
        var long2 = new byte[2048];
        SipTag.Fill(long1);
        SipTag.Fill(long2);
        Assert.False(long1.AsSpan().SequenceEqual(long2));
    }
}
