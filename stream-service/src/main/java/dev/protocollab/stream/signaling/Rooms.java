package dev.protocollab.stream.signaling;

import dev.protocollab.stream.StreamProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Signaling rooms, in this instance's memory: a room exists while it has members, holds at most {@code
 * stream.signaling.max-peers-per-room}, and only its members can reach each other. Membership changes of
 * one room are serialised by {@link ConcurrentHashMap#compute}, so two peers racing for the last place
 * cannot both get it.
 */
@Component
class Rooms {

    /** Why a join was refused. */
    enum Refusal {
        ROOM_FULL,
        TOO_MANY_ROOMS
    }

    /** The outcome of a join: the members already there (to tell the newcomer), or why not. */
    record Joined(List<Peer> others, Refusal refusal) {}

    private final ConcurrentHashMap<String, Map<String, Peer>> rooms = new ConcurrentHashMap<>();
    private final int maxPeers;
    private final int maxRooms;

    Rooms(StreamProperties properties, MeterRegistry registry) {
        this.maxPeers = properties.signaling().maxPeersPerRoom();
        this.maxRooms = properties.signaling().maxRooms();
        Gauge.builder("stream.signaling.rooms", rooms, Map::size)
                .description("Signaling rooms with at least one member")
                .register(registry);
    }

    int maxPeers() {
        return maxPeers;
    }

    Joined join(String room, Peer peer) {
        Refusal[] refusal = new Refusal[1];
        List<Peer> others = new ArrayList<>();
        rooms.compute(room, (name, members) -> {
            if (members == null) {
                if (rooms.size() >= maxRooms) {
                    refusal[0] = Refusal.TOO_MANY_ROOMS;
                    return null;
                }
                members = new LinkedHashMap<>();
            }
            if (members.size() >= maxPeers) {
                refusal[0] = Refusal.ROOM_FULL;
                return members;
            }
            others.addAll(members.values());
            members.put(peer.id(), peer);
            return members;
        });
        return refusal[0] == null ? new Joined(List.copyOf(others), null) : new Joined(List.of(), refusal[0]);
    }

    /** Removes the peer; returns the members left behind (to tell them). */
    List<Peer> leave(String room, Peer peer) {
        List<Peer> remaining = new ArrayList<>();
        rooms.computeIfPresent(room, (name, members) -> {
            if (members.remove(peer.id()) == null) {
                return members;
            }
            remaining.addAll(members.values());
            return members.isEmpty() ? null : members;
        });
        return remaining;
    }

    /** The member of {@code room} with this id, or null: relays never leave a room. */
    Peer member(String room, String peerId) {
        Peer[] found = new Peer[1];
        rooms.computeIfPresent(room, (name, members) -> {
            found[0] = members.get(peerId);
            return members;
        });
        return found[0];
    }

    List<Peer> members(String room) {
        List<Peer> all = new ArrayList<>();
        rooms.computeIfPresent(room, (name, members) -> {
            all.addAll(members.values());
            return members;
        });
        return all;
    }
}
