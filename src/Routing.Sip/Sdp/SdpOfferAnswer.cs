namespace Routing.Sip.Sdp;

/// <summary>Which RFC 3264 answer rule a description breaks.</summary>
public enum SdpAnswerViolation : byte
{
    /// <summary>The answer has a different number of m= lines (RFC 3264 §6).</summary>
    MediaCountMismatch,
    /// <summary>An m= line of the answer has another media type than the offer's at the same position (RFC 3264 §6).</summary>
    MediaTypeMismatch,
    /// <summary>An accepted stream answers with another transport protocol (RFC 3264 §6).</summary>
    ProtocolMismatch,
    /// <summary>A stream offered with port 0 is accepted in the answer (RFC 3264 §6, §8.2).</summary>
    RejectedStreamAccepted,
    /// <summary>An accepted RTP stream shares no format with the offer (RFC 3264 §6.1).</summary>
    NoCommonFormat,
    /// <summary>The answer's direction is not allowed for the offered one (RFC 3264 §6.1).</summary>
    DirectionMismatch,
}

/// <summary>A broken answer rule and the index of the media description it was found in (-1 for the whole session).</summary>
public readonly record struct SdpAnswerError(SdpAnswerViolation Violation, int MediaIndex);

/// <summary>Checks an answer against its offer (RFC 3264 §6); an SBC uses it before relaying an answer.</summary>
public static class SdpOfferAnswer
{
    /// <summary>True when <paramref name="answer"/> is a valid answer to <paramref name="offer"/>.</summary>
    public static bool TryValidateAnswer(SdpSession offer, SdpSession answer, out SdpAnswerError error)
    {
        ArgumentNullException.ThrowIfNull(offer);
        ArgumentNullException.ThrowIfNull(answer);
        error = default;
        if (offer.Media.Count != answer.Media.Count)
        {
            error = new SdpAnswerError(SdpAnswerViolation.MediaCountMismatch, -1);
            return false;
        }

        for (var i = 0; i < offer.Media.Count; i++)
        {
            var offered = offer.Media[i];
            var answered = answer.Media[i];
            var reason = Check(offered, answered);
            if (reason is { } violation)
            {
                error = new SdpAnswerError(violation, i);
                return false;
            }
        }

        return true;
    }

    private static SdpAnswerViolation? Check(SdpMediaDescription offered, SdpMediaDescription answered)
    {
        var offeredLine = offered.MediaLine;
        var answeredLine = answered.MediaLine;
        if (!string.Equals(offeredLine.Media, answeredLine.Media, StringComparison.OrdinalIgnoreCase))
        {
            return SdpAnswerViolation.MediaTypeMismatch;
        }

        if (answeredLine.Port == 0)
        {
            // A rejected stream needs nothing else to line up.
            return null;
        }

        if (offeredLine.Port == 0)
        {
            return SdpAnswerViolation.RejectedStreamAccepted;
        }

        if (!string.Equals(offeredLine.Protocol, answeredLine.Protocol, StringComparison.OrdinalIgnoreCase))
        {
            return SdpAnswerViolation.ProtocolMismatch;
        }

        if (offeredLine.IsRtp && !HasCommonCodec(offered, answered))
        {
            return SdpAnswerViolation.NoCommonFormat;
        }

        // RFC 3264 §6.1: sendonly is answered recvonly or inactive, recvonly with sendonly or inactive,
        // inactive with inactive; sendrecv allows any.
        var offeredDirection = offered.EffectiveDirection;
        var answeredDirection = answered.EffectiveDirection;
        var allowed = offeredDirection switch
        {
            SdpDirection.SendOnly => answeredDirection is SdpDirection.RecvOnly or SdpDirection.Inactive,
            SdpDirection.RecvOnly => answeredDirection is SdpDirection.SendOnly or SdpDirection.Inactive,
            SdpDirection.Inactive => answeredDirection == SdpDirection.Inactive,
            _ => true,
        };
        return allowed ? null : SdpAnswerViolation.DirectionMismatch;
    }

    // RFC 3264 §6.1: the answer lists at least one format of the offer; dynamic payload type numbers may differ, so
    // codecs are matched by encoding name and clock rate.
    private static bool HasCommonCodec(SdpMediaDescription offered, SdpMediaDescription answered)
    {
        foreach (var answerFormat in answered.Formats)
        {
            if (!SdpText.TryParseInt32(answerFormat, 127, out var answerPt) || answered.GetRtpMap(answerPt) is not { } answerMap)
            {
                continue;
            }

            foreach (var offerFormat in offered.Formats)
            {
                if (SdpText.TryParseInt32(offerFormat, 127, out var offerPt) && offered.GetRtpMap(offerPt) is { } offerMap
                    && offerMap.EncodingName.Equals(answerMap.EncodingName, StringComparison.OrdinalIgnoreCase)
                    && offerMap.ClockRate == answerMap.ClockRate)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
