package io.github.multiprocessing4j.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserPrivateGroupsTest {
    @TempDir
    Path dir;

    private UserPrivateGroups files(String passwd, String group) throws Exception {
        return files(passwd, group, "passwd: files systemd\ngroup: files [SUCCESS=merge] systemd\n");
    }

    private UserPrivateGroups files(String passwd, String group, String nsswitch) throws Exception {
        return new UserPrivateGroups(Files.writeString(dir.resolve("passwd"), passwd),
                Files.writeString(dir.resolve("group"), group), Files.writeString(dir.resolve("nsswitch"), nsswitch));
    }

    @Test
    void aGroupOfTheUsersName_thatIsTheirPrimaryGroup_withNoOtherMember_isPrivate() throws Exception {
        UserPrivateGroups g = files("root:x:0:0::/root:/bin/sh\nana:x:1000:1000::/home/ana:/bin/sh\n",
                "root:x:0:\nana:x:1000:\nwheel:x:10:ana\n");
        assertThat(g.check(1000, 1000)).isTrue();
    }

    @Test
    void aGroupThatListsTheUserOnly_isPrivate() throws Exception {
        UserPrivateGroups g = files("ana:x:1000:1000::/home/ana:/bin/sh\n", "ana:x:1000:ana\n");
        assertThat(g.check(1000, 1000)).isTrue();
    }

    @Test
    void aGroupWithAnotherMember_isNot() throws Exception {
        UserPrivateGroups g = files("ana:x:1000:1000::/home/ana:/bin/sh\nbob:x:1001:1001::/home/bob:/bin/sh\n",
                "ana:x:1000:bob\n");
        assertThat(g.check(1000, 1000)).isFalse();
    }

    @Test
    void aGroupThatIsAnotherUsersPrimaryGroupToo_isNot() throws Exception {
        UserPrivateGroups g = files("ana:x:1000:1000::/home/ana:/bin/sh\nbob:x:1001:1000::/home/bob:/bin/sh\n",
                "ana:x:1000:\n");
        assertThat(g.check(1000, 1000)).isFalse();
    }

    @Test
    void aSharedGroup_notTheUsersPrimaryOne_isNot() throws Exception {
        UserPrivateGroups g = files("ana:x:1000:1000::/home/ana:/bin/sh\n", "ana:x:1000:\nusers:x:100:\n");
        assertThat(g.check(100, 1000)).isFalse();
    }

    @Test
    void aGroupNamedOtherwise_orMissing_orUnreadableFiles_isNot() throws Exception {
        UserPrivateGroups g = files("ana:x:1000:1000::/home/ana:/bin/sh\n", "staff:x:1000:\n");
        assertThat(g.check(1000, 1000)).isFalse();
        assertThat(files("ana:x:1000:1000::/home/ana:/bin/sh\n", "").check(1000, 1000)).isFalse();
        assertThat(new UserPrivateGroups(dir.resolve("none"), dir.resolve("none"), dir.resolve("none"))
                .check(1000, 1000)).isFalse();
    }

    @Test
    void aSecondEntryOfTheSameGid_withAnotherMember_makesItShared() throws Exception {
        UserPrivateGroups g = files("ana:x:1000:1000::/home/ana:/bin/sh\n", "ana:x:1000:\ndevs:x:1000:bob\n");
        assertThat(g.check(1000, 1000)).isFalse();
    }

    @Test
    void groupsOrUsersFromADirectoryService_orNisLines_areNotTakenOnTrust() throws Exception {
        String passwd = "ana:x:1000:1000::/home/ana:/bin/sh\n";
        String group = "ana:x:1000:\n";
        assertThat(files(passwd, group, "passwd: files sss\ngroup: files sss\n").check(1000, 1000)).isFalse();
        assertThat(files(passwd, group, "passwd: files\ngroup: files ldap\n").check(1000, 1000)).isFalse();
        assertThat(files(passwd + "+::::::\n", group, "passwd: compat\ngroup: compat\n").check(1000, 1000)).isFalse();
        assertThat(files(passwd, group, "# no group line: files only\n").check(1000, 1000)).isTrue();
    }

    @Test
    void namesThatAreNotUtf8_andIdsAbove2To31_areRead() throws Exception {
        Path passwd = dir.resolve("passwd-latin1");
        Path group = dir.resolve("group-latin1");
        Files.write(passwd, "jos\u00e9:x:3000000000:3000000000::/home/j:/bin/sh\n".getBytes(StandardCharsets.ISO_8859_1));
        Files.write(group, "jos\u00e9:x:3000000000:\n".getBytes(StandardCharsets.ISO_8859_1));
        UserPrivateGroups g = new UserPrivateGroups(passwd, group, dir.resolve("no-nsswitch"));
        assertThat(g.check((int) 3_000_000_000L, (int) 3_000_000_000L)).isTrue();
    }
}
