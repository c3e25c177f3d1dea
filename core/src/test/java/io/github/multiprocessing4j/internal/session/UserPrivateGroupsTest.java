package io.github.multiprocessing4j.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserPrivateGroupsTest {
    @TempDir
    Path dir;

    private UserPrivateGroups files(String passwd, String group) throws Exception {
        return new UserPrivateGroups(Files.writeString(dir.resolve("passwd"), passwd),
                Files.writeString(dir.resolve("group"), group));
    }

    @Test
    void aGroupOfTheUsersName_thatIsTheirPrimaryGroup_withNoOtherMember_isPrivate() throws Exception {
        UserPrivateGroups g = files("root:x:0:0::/root:/bin/sh\nana:x:1000:1000::/home/ana:/bin/sh\n+::::::\n",
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
        assertThat(new UserPrivateGroups(dir.resolve("none"), dir.resolve("none")).check(1000, 1000)).isFalse();
    }
}
