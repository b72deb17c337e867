using Routing.Sip.Sdp;
using static Routing.Sip.Tests.Sdp.SdpSamples;

namespace Routing.Sip.Tests.Sdp;

public class SdpOfferAnswerTests
{
    private static SdpSession Parse(string text)
    {
        Assert.True(SdpSession.TryParse(text, out var session, out var error), $"rejected: {error}");
        return session;
    }

    private static SdpAnswerError? Validate(string offer, string answer) =>
        SdpOfferAnswer.TryValidateAnswer(Parse(offer), Parse(answer), out var error) ? null : error;

    [Fact]
    public void Rfc3264_10_1_BothExchanges_AnswersValid()
    {
        Assert.Null(Validate(Rfc3264_10_1_Offer, Rfc3264_10_1_Answer));
        Assert.Null(Validate(Rfc3264_10_1_SecondOffer, Rfc3264_10_1_SecondAnswer));
    }

    [Fact]
    public void Rfc3264_10_2_BothExchanges_AnswersValid()
    {
        Assert.Null(Validate(Rfc3264_10_2_Offer, Rfc3264_10_2_Answer));
        Assert.Null(Validate(Rfc3264_10_2_SecondOffer, Rfc3264_10_2_SecondAnswer));
    }

    [Fact]
    public void Answer_DroppedMediaLine_MediaCountMismatch()
    {
        var answer = Rfc3264_10_1_Answer.Replace("m=video 53000 RTP/AVP 32\r\na=rtpmap:32 MPV/90000\r\n", string.Empty, StringComparison.Ordinal);
        Assert.Equal(new SdpAnswerError(SdpAnswerViolation.MediaCountMismatch, -1), Validate(Rfc3264_10_1_Offer, answer));
    }

    [Fact]
    public void Answer_AudioForVideo_MediaTypeMismatch()
    {
        var answer = Rfc3264_10_1_Answer.Replace("m=video 53000 RTP/AVP 32", "m=audio 53000 RTP/AVP 32", StringComparison.Ordinal);
        Assert.Equal(new SdpAnswerError(SdpAnswerViolation.MediaTypeMismatch, 2), Validate(Rfc3264_10_1_Offer, answer));
    }

    [Fact]
    public void Answer_OtherTransport_ProtocolMismatch()
    {
        var answer = Rfc3264_10_1_Answer.Replace("m=audio 49920 RTP/AVP 0", "m=audio 49920 RTP/SAVP 0", StringComparison.Ordinal);
        Assert.Equal(new SdpAnswerError(SdpAnswerViolation.ProtocolMismatch, 0), Validate(Rfc3264_10_1_Offer, answer));
    }

    [Fact]
    public void Answer_AcceptsStreamOfferedWithPortZero_RejectedStreamAccepted()
    {
        var offer = Rfc3264_10_1_SecondOffer;
        var answer = Rfc3264_10_1_SecondAnswer.Replace("m=video 0 RTP/AVP 31", "m=video 49000 RTP/AVP 31", StringComparison.Ordinal);
        Assert.Equal(new SdpAnswerError(SdpAnswerViolation.RejectedStreamAccepted, 1), Validate(offer, answer));
    }

    [Fact]
    public void Answer_OnlyUnofferedCodec_NoCommonFormat()
    {
        var answer = Rfc3264_10_2_Answer
            .Replace("m=audio 54344 RTP/AVP 0 4", "m=audio 54344 RTP/AVP 8", StringComparison.Ordinal)
            .Replace("a=rtpmap:0 PCMU/8000\r\na=rtpmap:4 G723/8000", "a=rtpmap:8 PCMA/8000", StringComparison.Ordinal);
        Assert.Equal(new SdpAnswerError(SdpAnswerViolation.NoCommonFormat, 0), Validate(Rfc3264_10_2_Offer, answer));
    }

    [Fact]
    public void Answer_DynamicPayloadRenumbered_StillCommon()
    {
        var offer = Crlf("v=0", "o=a 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0", "m=audio 4000 RTP/AVP 97", "a=rtpmap:97 iLBC/8000");
        var answer = Crlf("v=0", "o=b 2 2 IN IP4 192.0.2.2", "s=-", "c=IN IP4 192.0.2.2", "t=0 0", "m=audio 5000 RTP/AVP 99", "a=rtpmap:99 iLBC/8000");
        Assert.Null(Validate(offer, answer));
    }

    [Theory]
    [InlineData("sendonly", "sendonly", false)]
    [InlineData("sendonly", "sendrecv", false)]
    [InlineData("sendonly", "recvonly", true)]
    [InlineData("recvonly", "sendonly", true)]
    [InlineData("recvonly", "recvonly", false)]
    [InlineData("inactive", "inactive", true)]
    [InlineData("inactive", "sendrecv", false)]
    [InlineData("sendrecv", "inactive", true)]
    [InlineData("sendrecv", "sendonly", true)]
    public void Rfc3264_6_1_DirectionPairs(string offered, string answered, bool valid)
    {
        var offer = Crlf("v=0", "o=a 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0", "m=audio 4000 RTP/AVP 0", "a=" + offered);
        var answer = Crlf("v=0", "o=b 2 2 IN IP4 192.0.2.2", "s=-", "c=IN IP4 192.0.2.2", "t=0 0", "m=audio 5000 RTP/AVP 0", "a=" + answered);
        Assert.Equal(valid ? null : new SdpAnswerError(SdpAnswerViolation.DirectionMismatch, 0), Validate(offer, answer));
    }
}
