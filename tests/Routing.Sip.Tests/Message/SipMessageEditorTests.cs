using System.Buffers;
using System.Text;
using Routing.Sip.Message;

namespace Routing.Sip.Tests.Message;

public class SipMessageEditorTests
{
    public static TheoryData<string> AcceptedCorpus
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var folder in new[] { "rfc4475", "rfc5118", "rfc3665", "mobile" })
            {
                foreach (var name in Corpus.Names(folder))
                {
                    var result = SipParser.ParseDatagram(Corpus.Load(name[..^4]));
                    if (result.Status == SipParseStatus.Message)
                    {
                        data.Add(name[..^4]);
                    }

                    result.Message?.Dispose();
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(AcceptedCorpus))]
    public void WriteTo_NoEdits_IsByteIdentical(string name)
    {
        using var m = Parse(name);
        using var editor = new SipMessageEditor();

        var output = editor.Begin(m).ToArray();

        Assert.Equal(m.Span.ToArray(), output);
        Assert.Equal(m.Length, editor.Begin(m).Length);
    }

    [Theory]
    [MemberData(nameof(AcceptedCorpus))]
    public void WriteTo_ProxyForwardEdits_ReparsesAndChangesOnlyEditedHeaders(string name)
    {
        using var m = Parse(name);
        if (!m.IsRequest)
        {
            return;
        }

        using var editor = new SipMessageEditor();
        editor.Begin(m);
        editor.PushVia("SIP/2.0/UDP proxy.example.net;branch=z9hG4bKproxy1"u8);
        var decremented = editor.DecrementMaxForwards();
        editor.InsertRecordRoute("<sip:proxy.example.net;lr>"u8);
        editor.EnsureContentLength();
        var bytes = editor.ToArray();

        var result = SipParser.ParseStream(bytes);
        Assert.Equal(SipParseStatus.Message, result.Status);
        using var forwarded = result.Message!;
        Assert.Equal(bytes.Length, result.Consumed);
        Assert.Equal("proxy.example.net"u8.ToArray(), forwarded.TopViaSentBy.ToArray());
        Assert.Equal(m.CountOf(SipHeaderId.Via) + 1, forwarded.CountOf(SipHeaderId.Via));
        Assert.Equal(m.CountOf(SipHeaderId.RecordRoute) + 1, forwarded.CountOf(SipHeaderId.RecordRoute));
        Assert.Equal(m.MaxForwards < 0 ? 70 : decremented ? m.MaxForwards - 1 : m.MaxForwards, forwarded.MaxForwards);
        Assert.Equal(m.Body.ToArray(), forwarded.Body.ToArray());

        // Every original header line other than Max-Forwards is present byte for byte, in order.
        var originalLines = LinesExcept(m, SipHeaderId.MaxForwards);
        var forwardedLines = LinesExcept(forwarded, SipHeaderId.MaxForwards);
        var k = 0;
        foreach (var line in forwardedLines)
        {
            if (k < originalLines.Count && line == originalLines[k])
            {
                k++;
            }
        }

        Assert.Equal(originalLines.Count, k);
    }

    [Fact]
    public void PushVia_Invite_InsertsOneLineBeforeTheFirstVia()
    {
        using var m = Parse("rfc3665/invite-f4");
        using var editor = new SipMessageEditor();

        editor.Begin(m).PushVia("SIP/2.0/TCP ss1.atlanta.example.com;branch=z9hG4bK2d4790.1"u8);

        var expected = Text(m).Replace(
            "SIP/2.0\r\nVia: ",
            "SIP/2.0\r\nVia: SIP/2.0/TCP ss1.atlanta.example.com;branch=z9hG4bK2d4790.1\r\nVia: ",
            StringComparison.Ordinal);
        Assert.Equal(expected, Encoding.UTF8.GetString(editor.ToArray()));
    }

    [Fact]
    public void DecrementMaxForwards_Seventy_ChangesOnlyTheValue()
    {
        using var m = Parse("rfc3665/invite-f4");
        using var editor = new SipMessageEditor();

        Assert.True(editor.Begin(m).DecrementMaxForwards());

        Assert.Equal(Text(m).Replace("Max-Forwards: 70\r\n", "Max-Forwards: 69\r\n", StringComparison.Ordinal), Encoding.UTF8.GetString(editor.ToArray()));
    }

    [Fact]
    public void DecrementMaxForwards_Zero_ReturnsFalseAndLeavesMessage()
    {
        using var m = Parse("rfc4475/zeromf");
        using var editor = new SipMessageEditor();

        Assert.False(editor.Begin(m).DecrementMaxForwards());
        Assert.Equal(m.Span.ToArray(), editor.ToArray());
    }

    [Fact]
    public void DecrementMaxForwards_Absent_AddsSeventy()
    {
        using var m = Parse("rfc4475/inv2543");
        using var editor = new SipMessageEditor();

        Assert.True(editor.Begin(m).DecrementMaxForwards());

        var text = Encoding.UTF8.GetString(editor.ToArray());
        Assert.Contains("Content-Type: application/sdp\r\nMax-Forwards: 70\r\n\r\nv=0", text, StringComparison.Ordinal);
    }

    [Fact]
    public void PopRoute_SingleValueLine_RemovesTheLine()
    {
        using var m = Parse("rfc3665/invite-f12-ack");
        using var editor = new SipMessageEditor();

        Assert.True(editor.Begin(m).PopRoute());

        Assert.Equal(Text(m).Replace("Route: <sip:ss1.atlanta.example.com;lr>\r\n", "", StringComparison.Ordinal), Encoding.UTF8.GetString(editor.ToArray()));
    }

    [Fact]
    public void PopRoute_TwoValuesInOneLine_KeepsTheSecond()
    {
        using var m = ParseText(
            "BYE sip:bob@192.0.2.4 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa\nRoute: <sip:p1.example.com;lr>,\n <sip:p2.example.com;lr>\n" +
            "Max-Forwards: 70\nFrom: <sip:a@example.com>;tag=1\nTo: <sip:b@example.com>;tag=2\nCall-ID: c1\nCSeq: 2 BYE\nContent-Length: 0\n\n");
        using var editor = new SipMessageEditor();

        Assert.True(editor.Begin(m).PopRoute());

        Assert.Contains("\r\nRoute: <sip:p2.example.com;lr>\r\nMax-Forwards", Encoding.UTF8.GetString(editor.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public void PopRoute_NoRoute_ReturnsFalse()
    {
        using var m = Parse("rfc3665/invite-f4");
        using var editor = new SipMessageEditor();

        Assert.False(editor.Begin(m).PopRoute());
    }

    [Fact]
    public void ReplaceBody_NewSdp_FixesContentLengthAndKeepsOtherBytes()
    {
        using var m = Parse("rfc3665/invite-f4");
        using var editor = new SipMessageEditor();
        var sdp = "v=0\r\no=- 1 1 IN IP4 198.51.100.1\r\ns=-\r\nc=IN IP4 198.51.100.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n"u8;

        editor.Begin(m).ReplaceBody("application/sdp"u8, sdp);

        var text = Encoding.UTF8.GetString(editor.ToArray());
        var original = Text(m);
        var expected = original[..original.IndexOf("Content-Length: ", StringComparison.Ordinal)]
            + $"Content-Length: {sdp.Length}\r\n\r\n" + Encoding.UTF8.GetString(sdp);
        Assert.Equal(expected, text);
    }

    [Fact]
    public void SetHeader_Existing_ReplacesValueOnly()
    {
        using var m = Parse("mobile/register-ios-tcp");
        using var editor = new SipMessageEditor();

        editor.Begin(m).SetHeader(SipHeaderId.Expires, "0"u8);

        Assert.Equal(Text(m).Replace("Expires: 600\r\n", "Expires: 0\r\n", StringComparison.Ordinal), Encoding.UTF8.GetString(editor.ToArray()));
    }

    [Fact]
    public void RemoveHeaders_ByName_RemovesEveryLineOfThatHeader()
    {
        using var m = Parse("mobile/register-ios-tcp");
        using var editor = new SipMessageEditor();

        Assert.Equal(1, editor.Begin(m).RemoveHeaders("authorization"u8));

        var text = Encoding.UTF8.GetString(editor.ToArray());
        Assert.DoesNotContain("Authorization:", text, StringComparison.Ordinal);
        Assert.Equal(Text(m).Length - m.Headers[m.IndexOf(SipHeaderId.Authorization)].Line.Length, text.Length);
    }

    [Fact]
    public void AddHeader_Unknown_AppendsBeforeTheBlankLine()
    {
        using var m = Parse("rfc4475/zeromf");
        using var editor = new SipMessageEditor();

        editor.Begin(m).AddHeader("X-Trace"u8, "abc"u8);

        Assert.EndsWith("Content-Length: 0\r\nX-Trace: abc\r\n\r\n", Encoding.UTF8.GetString(editor.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public void SetRequestUri_Retarget_ChangesOnlyTheStartLine()
    {
        using var m = Parse("rfc3665/invite-f4");
        using var editor = new SipMessageEditor();

        editor.Begin(m).SetRequestUri("sip:bob@client.biloxi.example.com"u8);

        Assert.Equal(
            Text(m).Replace("INVITE sip:bob@biloxi.example.com SIP/2.0", "INVITE sip:bob@client.biloxi.example.com SIP/2.0", StringComparison.Ordinal),
            Encoding.UTF8.GetString(editor.ToArray()));
    }

    [Fact]
    public void WriteTo_OverlappingEdits_Throws()
    {
        using var m = Parse("rfc3665/invite-f4");
        using var editor = new SipMessageEditor();
        editor.Begin(m).RemoveHeaders(SipHeaderId.MaxForwards);
        editor.DecrementMaxForwards();

        Assert.Throws<InvalidOperationException>(() => editor.WriteTo(new ArrayBufferWriter<byte>()));
    }

    private static List<string> LinesExcept(SipMessage m, SipHeaderId id)
    {
        var lines = new List<string>();
        foreach (var h in m.Headers)
        {
            if (h.Id != id)
            {
                lines.Add(m.GetString(h.Line));
            }
        }

        return lines;
    }

    private static SipMessage Parse(string name)
    {
        var result = SipParser.ParseDatagram(Corpus.Load(name));
        Assert.Equal(SipParseStatus.Message, result.Status);
        return result.Message!;
    }

    private static SipMessage ParseText(string text)
    {
        var result = SipParser.ParseDatagram(TestMessages.Wire(text));
        Assert.True(result.Status == SipParseStatus.Message, result.ToString());
        return result.Message!;
    }

    private static string Text(SipMessage m) => Encoding.UTF8.GetString(m.Span);
}
