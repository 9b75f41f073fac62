using MeshMeet.Web.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace MeshMeet.Web.Signaling;

/// <summary>Shape and size limits of a relayed signal; the server forwards it but never looks inside the SDP.</summary>
public static class SignalRules
{
    public const int MaxCandidateLength = 2048;

    public static void Check(SignalRequest r, int maxSdpLength)
    {
        if (!SecureId.LooksValid(r.To)) throw new HubException("A signal needs the id of the participant it is for.");
        if ((r.Description is null) == (r.Candidate is null))
            throw new HubException("A signal carries either a session description or an ICE candidate.");
        if (r.Description is { } d)
        {
            if (d.Type is not ("offer" or "answer" or "pranswer" or "rollback"))
                throw new HubException("Unknown session description type.");
            if (d.Sdp?.Length > maxSdpLength) throw new HubException("The session description is too large.");
        }
        if (r.Candidate is { } c && (c.Candidate?.Length > MaxCandidateLength || c.SdpMid?.Length > 64 || c.UsernameFragment?.Length > 256))
            throw new HubException("The ICE candidate is too large.");
    }
}
